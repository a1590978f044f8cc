CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, presence TEXT, niveau TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01', 'true', 'B2');
-- 1 is true
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-01', '1', 'INSUFFISANT');
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-10-01', 'false', NULL);
-- true without a level
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2026-10-01', 'true', NULL);
-- false (0) with a level
INSERT INTO r VALUES (5, 'Essai', 'Élise', 1971, 'F', '2026-10-01', '0', 'C1');
