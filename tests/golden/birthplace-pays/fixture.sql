CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, insee TEXT, cp TEXT, pays TEXT, libelle_pays TEXT);
-- born abroad (99134, Espagne): codePaysNaissance 134 derived
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01', '99134', NULL, NULL, 'Espagne');
-- born abroad, the matching codePaysNaissance given
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-01', '99134', NULL, '134', 'Espagne');
-- born in France: codeInsee only; both codes given: codeInsee wins, codePostal is dropped
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-10-01', '2A004', NULL, NULL, NULL);
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2026-10-01', '69123', '69001', NULL, NULL);
-- no codeInsee: codePostal; neither: codePostal nil
INSERT INTO r VALUES (5, 'Essai', 'Élise', 1971, 'F', '2026-10-01', NULL, '69001', NULL, NULL);
INSERT INTO r VALUES (6, 'Essai', 'Fanny', 1972, 'F', '2026-10-01', NULL, NULL, NULL, NULL);
-- 99134 with codePaysNaissance 109: they do not match
INSERT INTO r VALUES (7, 'Essai', 'Gaël', 1973, 'M', '2026-10-01', '99134', NULL, '109', 'Allemagne');
-- born in France (75056) with a codePaysNaissance
INSERT INTO r VALUES (8, 'Essai', 'Hugo', 1974, 'M', '2026-10-01', '75056', NULL, '100', 'France');
