CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, mois INTEGER,
                jour INTEGER, sexe TEXT, delivre TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 2000, 2, 29, 'F', '2026-10-01');
-- 31 April
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1990, 4, 31, 'M', '2026-10-01');
-- 29 February 1900
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1900, 2, 29, 'F', '2026-10-01');
-- a day of 30 with no month (nil): a day of birth is never sent without its month
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1990, NULL, 30, 'M', '2026-10-01');
