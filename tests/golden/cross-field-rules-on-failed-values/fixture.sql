CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee TEXT, mois TEXT, jour TEXT,
                sexe TEXT, delivre TEXT, fin TEXT, acces TEXT, voie TEXT);
-- month 13: one reason expected (range), a birth-date reason is added
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', '1990', '13', '10', 'F', '2026-10-01', NULL, NULL, NULL);
-- not whole numbers: three reasons expected, a birth-date reason (computed with atoi) is added
INSERT INTO r VALUES (2, 'Exemple', 'Basile', '1990.0', 'mai', '1er', 'M', '2026-10-01', NULL, NULL, NULL);
-- modaliteAcces "vae" (not the CDC's spelling): enumeration; voieAccessVAE is then refused too
INSERT INTO r VALUES (3, 'Modèle', 'Camille', '1979', NULL, NULL, 'F', '2026-10-01', NULL, 'vae', 'VAE_CLASSIQUE');
