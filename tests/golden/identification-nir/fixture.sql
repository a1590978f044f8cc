CREATE TABLE r (id INTEGER PRIMARY KEY, nir TEXT, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, dossier TEXT, nom_dossier TEXT, prenom_dossier TEXT);
-- valid NIRs: mainland, Corsica 2A, Corsica 2b in lower case (trimmed)
INSERT INTO r VALUES (1, '1850575056123', 'Fictif', 'Arthur', 1985, 'M', '2026-10-01', NULL, NULL, NULL);
INSERT INTO r VALUES (2, '285052A004123', 'Exemple', 'Bérénice', 1985, 'F', '2026-10-01', NULL, NULL, NULL);
INSERT INTO r VALUES (3, ' 185052b033123 ', 'Modèle', NULL, NULL, NULL, '2026-10-01', NULL, NULL, NULL);
-- invalid: a first digit 3, 11 characters, "2C", 15 characters (with the key)
INSERT INTO r VALUES (4, '385052A004123', 'Essai', 'Dominique', 1985, 'F', '2026-10-01', NULL, NULL, NULL);
INSERT INTO r VALUES (5, '18505750561', 'Essai', 'Élise', 1985, 'F', '2026-10-01', NULL, NULL, NULL);
INSERT INTO r VALUES (6, '185052C004123', 'Essai', 'Fanny', 1985, 'F', '2026-10-01', NULL, NULL, NULL);
INSERT INTO r VALUES (7, '185057505612345', 'Essai', 'Gaël', 1985, 'M', '2026-10-01', NULL, NULL, NULL);
-- no NIR: titulaire
INSERT INTO r VALUES (8, NULL, 'Essai', 'Hugo', 1985, 'M', '2026-10-01', NULL, NULL, NULL);
-- a NIR and a CPF file number: dossierFormation
INSERT INTO r VALUES (9, '1850669123045', 'ESSAI', 'Ilan', 1985, 'M', '2026-10-01', '2026000000009', 'ESSAI', 'Ilan');
-- a NIR without the birth name
INSERT INTO r VALUES (10, '2850575056124', NULL, 'Julie', 1985, 'F', '2026-10-01', NULL, NULL, NULL);
-- the NIR of row 2 in lower case, same delivery: a probable duplicate
INSERT INTO r VALUES (11, '285052a004123', 'Exemple', 'Bérénice', 1985, 'F', '2026-10-01', NULL, NULL, NULL);
