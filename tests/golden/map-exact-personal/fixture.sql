CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, civilite TEXT,
                delivre TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'Mme', '2026-10-05');
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, ' M. ', '2026-10-05');
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'Mlle', '2026-10-05');
-- "MME" is not "Mme" for an exact map: quarantined, value not shown (personal field)
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'MME', '2026-10-05');
-- "Monsieur" is not listed either
INSERT INTO r VALUES (5, 'Essai', 'Étienne', 1971, 'Monsieur', '2026-10-05');
