CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, nom_marital TEXT, nom_usage TEXT,
                prenom_usuel TEXT, prenom_civil TEXT, annee INTEGER, sexe TEXT, delivre TEXT);
-- the first column has a value: it wins
INSERT INTO r VALUES (1, 'Fictif', 'Épouse-Test', 'Usage-Test', 'Zoé', 'Zoéline', 1990, 'F', '2026-10-01');
-- first NULL, then empty: the second columns win
INSERT INTO r VALUES (2, 'Exemple', NULL, 'Usage-Test', '', 'Yannick', 1985, 'M', '2026-10-01');
-- first blank-only: skipped like an empty value
INSERT INTO r VALUES (3, 'Modèle', '   ', 'Usage-Bis', '  ', 'Xavière', 1975, 'F', '2026-10-01');
-- nothing anywhere: nomUsage nil, prenom1 missing (quarantined)
INSERT INTO r VALUES (4, 'Essai', NULL, '', NULL, ' ', 1970, 'M', '2026-10-01');
