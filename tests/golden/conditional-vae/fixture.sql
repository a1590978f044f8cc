CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, acces TEXT, voie TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01', 'VAE', 'VAE_CLASSIQUE');
-- VAE without a voie: voieAccessVAE is optional
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-01', 'VAE', NULL);
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-10-01', 'CANDIDAT_LIBRE', NULL);
-- a voie without VAE
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2026-10-01', 'CANDIDAT_LIBRE', 'CONGES_VAE');
-- a voie with modaliteAcces nil
INSERT INTO r VALUES (5, 'Essai', 'Élise', 1971, 'F', '2026-10-01', NULL, 'VAE_CLASSIQUE');
