CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, certifiee TEXT, langue TEXT, numerique INTEGER);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01', '1', '0', 0);
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-01', 'true', 'false', 0);
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-10-01', '0', 'false', 0);
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2026-10-01', 'oui', 'TRUE', 2);
