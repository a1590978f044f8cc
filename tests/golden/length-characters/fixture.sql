CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, insee TEXT, cp TEXT, pays TEXT);
-- 60 characters, 70 bytes: valid
INSERT INTO r VALUES (1, 'Éléonore-Bérénice de Saint-Éloi-Prévôt-Château-Thierry-Œuvée', 'Zoé',
                      1990, 'F', '2026-10-01', '75056', NULL, NULL);
-- 61 characters
INSERT INTO r VALUES (2, 'Éléonore-Bérénice de Saint-Éloi-Prévôt-Château-Thierry-Œuvées', 'Zoé',
                      1990, 'F', '2026-10-01', '75056', NULL, NULL);
-- 64 characters
INSERT INTO r VALUES (3, 'Éléonore-Bérénice de Saint-Éloi-Prévôt-Château-Thierry-Œuvéessss', 'Zoé',
                      1990, 'F', '2026-10-01', '75056', NULL, NULL);
-- codeInsee of 4 characters (a lost leading zero: 01053 read as a number)
INSERT INTO r VALUES (4, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01', '1053', NULL, NULL);
-- codePostal of 10 characters (codeInsee NULL)
INSERT INTO r VALUES (5, 'Exemple', 'Basile', 1988, 'M', '2026-10-01', NULL, '69001 LYON', NULL);
-- codePostal of 9 characters: valid
INSERT INTO r VALUES (6, 'Modèle', 'Camille', 1979, 'F', '2026-10-01', NULL, 'CEDEX 123', NULL);
-- codePaysNaissance of 4 characters for a codeInsee 99134: neither 3 characters nor 134
INSERT INTO r VALUES (7, 'Essai', 'Dominique', 1970, 'M', '2026-10-01', '99134', NULL, '0134');
