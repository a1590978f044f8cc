CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, naissance TEXT, sexe TEXT,
                delivre TEXT, inscrit TEXT);
-- a whole birth date, inside every range
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', '12/05/1992', 'F', '2026-10-01', '01/09/2025');
-- year only: month and day nil
INSERT INTO r VALUES (2, 'Exemple', 'Basile', '00/00/1988', 'M', '2026-10-01', NULL);
-- month and year: day nil
INSERT INTO r VALUES (3, 'Modèle', 'Camille', '00/07/1979', 'F', '2026-10-01', NULL);
-- a day without its month: refused
INSERT INTO r VALUES (4, 'Essai', 'Dominique', '15/00/1970', 'M', '2026-10-01', NULL);
-- before the mapping's not_before (1930-01-01), year only
INSERT INTO r VALUES (5, 'Ancien', 'Élise', '00/00/1929', 'F', '2026-10-01', NULL);
-- delivered before the mapping's not_before (2021-07-01)
INSERT INTO r VALUES (6, 'Ancien', 'Fanny', '03/03/1980', 'F', '2021-06-30', NULL);
-- registered after today: the mapping's not_after
INSERT INTO r VALUES (7, 'Futur', 'Gaspard', '04/04/1984', 'M', '2026-10-01', '16/11/2026');
-- without partial this would be an impossible date; with it, 00/13 still is
INSERT INTO r VALUES (8, 'Essai', 'Hugo', '00/13/1990', 'M', '2026-10-01', NULL);
-- born after today, year only (the dictionary's rule on a partial date)
INSERT INTO r VALUES (9, 'Futur', 'Inès', '00/00/2027', 'F', '2026-10-01', NULL);
