CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                insee TEXT, delivre TEXT);
INSERT INTO r VALUES (1, 'Martin', 'Léa', 1990, 'F', '75056', '2026-10-01');
INSERT INTO r VALUES (2, 'Dubois', 'Noël', 1985, 'M', NULL, '2026-09-15');
