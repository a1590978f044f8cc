CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, insee TEXT, cp TEXT, pays TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01', NULL, '69001', '134');
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-01', NULL, NULL, '134');
