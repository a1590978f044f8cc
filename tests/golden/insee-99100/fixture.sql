CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, insee TEXT, code_pays TEXT, pays TEXT);
-- a commune: valid
INSERT INTO r VALUES (1, 'Fictif', 'Zoé', 1990, 'F', '2026-10-01', '75056', '99100', NULL);
-- abroad: valid, codePaysNaissance derived
INSERT INTO r VALUES (2, 'Exemple', 'Yann', 1985, 'M', '2026-10-01', NULL, '99134', NULL);
-- France's code as the commune: refused, the two columns named once each
INSERT INTO r VALUES (3, 'Modèle', 'Xavière', 1975, 'F', '2026-10-01', '', '99100', NULL);
INSERT INTO r VALUES (4, 'Essai', 'Wanda', 1970, 'F', '2026-10-01', '99100', NULL, NULL);
-- France as the country of birth: refused
INSERT INTO r VALUES (5, 'Essai', 'Victor', 1971, 'M', '2026-10-01', '69123', NULL, '100');
