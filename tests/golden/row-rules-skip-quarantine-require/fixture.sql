CREATE TABLE r (id INTEGER, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT, delivre TEXT,
                decision TEXT, email TEXT);
-- admitted, with an address: valid
INSERT INTO r VALUES (1, 'Fictif', 'Zoé', 1990, 'F', '2026-10-01', 'admis', 'zoe@exemple.fr');
INSERT INTO r VALUES (2, 'Exemple', 'Yann', 1985, 'M', '2026-10-01', ' Admis avec mention ', 'y@exemple.fr');
-- not admitted: skipped, whatever else the row lacks (no key, no address)
INSERT INTO r VALUES (3, 'Modèle', 'Xavier', 1975, 'M', '2026-10-01', 'AJOURNÉ', NULL);
INSERT INTO r VALUES (NULL, 'Essai', 'Wanda', 1970, 'F', '2026-10-01', 'absent', NULL);
INSERT INTO r VALUES (5, 'Essai', 'Victor', 1971, 'M', '2026-10-01', 'en attente', 'v@exemple.fr');
INSERT INTO r VALUES (6, 'Essai', 'Ursule', 1972, 'F', '2026-10-01', 'VAE partielle (bloc 2)', NULL);
-- a decision the school does not know, and one missing: quarantined (never shown)
INSERT INTO r VALUES (7, 'Essai', 'Théo', 1973, 'M', '2026-10-01', 'admis sous réserve', 't@exemple.fr');
INSERT INTO r VALUES (8, 'Essai', 'Sacha', 1974, 'M', '2026-10-01', NULL, 's@exemple.fr');
-- admitted, an address missing or malformed: quarantined
INSERT INTO r VALUES (9, 'Essai', 'Rose', 1976, 'F', '2026-10-01', 'admis', '  ');
INSERT INTO r VALUES (10, 'Essai', 'Paul', 1977, 'M', '2026-10-01', 'admis', 'paul at exemple.fr');
-- no key, admitted: the missing key is reported with the row rules
INSERT INTO r VALUES (NULL, 'Essai', 'Odile', 1978, 'F', '2026-10-01', 'inconnu', NULL);
