CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee TEXT, mois TEXT, jour TEXT,
                sexe TEXT, delivre TEXT);
-- bounds included; leading zero and '+' canonicalised
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', '1900', '01', '+7', 'F', '2026-10-01');
-- (2099 is within the bounds; born on 31/12/2099, though, is after today and the delivery)
INSERT INTO r VALUES (2, 'Exemple', 'Basile', '2099', '12', '31', 'M', '2026-10-01');
-- out of bounds (day missing, so that no birth date is formed)
INSERT INTO r VALUES (3, 'Modèle', 'Camille', '1899', '13', NULL, 'F', '2026-10-01');
INSERT INTO r VALUES (4, 'Essai', 'Dominique', '2100', '0', NULL, 'M', '2026-10-01');
INSERT INTO r VALUES (5, 'Essai', 'Élise', '1990', NULL, '32', 'F', '2026-10-01');
-- not whole numbers (day, month and year never all three given: no birth date is formed)
INSERT INTO r VALUES (6, 'Essai', 'Fanny', '1990.0', 'mai', NULL, 'F', '2026-10-01');
INSERT INTO r VALUES (7, 'Essai', 'Gaël', '19 90', '-', NULL, 'M', '2026-10-01');
INSERT INTO r VALUES (8, 'Essai', 'Hugo', '1990', NULL, '1er', 'M', '2026-10-01');
