CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, presence TEXT, score TEXT, resultats TEXT);
-- bloc 6 complete: two results
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01', 'true', '512', '1.1:3;2.4:5');
-- a score without results; blanks around the results; a leading zero in a level
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-01', '1', '1000', NULL);
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-10-01', 'true', '1', ' 5.4:08 ; 3.1:1 ;');
-- no bloc 6
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2026-10-01', 'false', NULL, NULL);
-- true without scoreGeneral
INSERT INTO r VALUES (5, 'Essai', 'Élise', 1971, 'F', '2026-10-01', 'true', NULL, '1.1:3');
-- false with bloc 6 values
INSERT INTO r VALUES (6, 'Essai', 'Fanny', 1972, 'F', '2026-10-01', 'false', '300', '1.1:3');
-- results not in the form: a level of 9, a domain of 6, a dash instead of a colon
INSERT INTO r VALUES (7, 'Essai', 'Gaël', 1973, 'M', '2026-10-01', 'true', '400', '1.1:9');
INSERT INTO r VALUES (8, 'Essai', 'Hugo', 1974, 'M', '2026-10-01', 'true', '400', '6.1:2');
INSERT INTO r VALUES (9, 'Essai', 'Inès', 1975, 'F', '2026-10-01', 'true', '400', '1.1-3');
-- scoreGeneral out of 1 to 1000
INSERT INTO r VALUES (10, 'Essai', 'Jules', 1976, 'M', '2026-10-01', 'true', '1001', '1.1:3');
