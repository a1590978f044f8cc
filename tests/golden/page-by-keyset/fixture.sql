CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT);
-- inserted out of order; read in id order over three pages
INSERT INTO r VALUES (40, 'Essai', 'Dominique', 1970, 'M', '2026-10-01');
INSERT INTO r VALUES (10, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01');
INSERT INTO r VALUES (30, 'Modèle', 'Camille', 1979, 'X', '2026-10-01');
INSERT INTO r VALUES (20, 'Exemple', 'Basile', 1988, 'M', '2026-10-01');
INSERT INTO r VALUES (50, 'Essai', 'Élise', 1971, 'F', '2026-10-01');
