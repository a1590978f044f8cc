CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, insee TEXT, pays TEXT, code_pays_insee TEXT, cp TEXT);
-- the commune's INSEE code: it wins, whatever else is known
INSERT INTO r VALUES (1, 'Fictif', 'Zoé', 1990, 'F', '2026-10-01', '2A004', 'France', NULL, '20000');
-- born abroad: the country's 99XXX code, and codePaysNaissance derived from it
INSERT INTO r VALUES (2, 'Exemple', 'Yann', 1985, 'M', '2026-10-01', NULL, 'Maroc', '99350', NULL);
INSERT INTO r VALUES (3, 'Modèle', 'Xavière', 1975, 'F', '2026-10-01', ' ', 'Belgique', '99131', '1000');
-- born in France without an INSEE code: the postal code
INSERT INTO r VALUES (4, 'Essai', 'Wanda', 1970, 'F', '2026-10-01', NULL, 'FRANCE', NULL, '69001');
INSERT INTO r VALUES (5, 'Essai', 'Victor', 1971, 'M', '2026-10-01', NULL, NULL, NULL, '33000');
-- nothing known: codePostal nil
INSERT INTO r VALUES (6, 'Essai', 'Ursule', 1972, 'F', '2026-10-01', NULL, NULL, NULL, NULL);
-- born abroad, the country's code missing: no branch holds for either field; codePostal nil
INSERT INTO r VALUES (7, 'Essai', 'Théo', 1973, 'M', '2026-10-01', NULL, 'Italie', NULL, NULL);
-- a country code of France given as the birth country: refused, naming the branch's column
INSERT INTO r VALUES (8, 'Essai', 'Sacha', 1974, 'M', '2026-10-01', NULL, 'Francia', '99100', NULL);
