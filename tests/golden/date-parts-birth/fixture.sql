CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, naissance TEXT, sexe TEXT,
                delivre TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', '07/03/1992', 'F', '2026-10-05');
-- 1-digit day and month; the second format (sql, with a time)
INSERT INTO r VALUES (2, 'Exemple', 'Basile', '1/9/1988', 'M', '2026-10-05');
INSERT INTO r VALUES (3, 'Modèle', 'Camille', '1979-12-31 00:00:00', 'F', '2026-10-05');
-- 30 February: the shape is right, the day does not exist
INSERT INTO r VALUES (4, 'Essai', 'Dominique', '30/02/1990', 'M', '2026-10-05');
-- no format reads it
INSERT INTO r VALUES (5, 'Essai', 'Élise', '3 mars 1991', 'F', '2026-10-05');
-- no birth date: the year is missing (quarantined), month and day become nil
INSERT INTO r VALUES (6, 'Essai', 'Fanny', NULL, 'F', '2026-10-05');
