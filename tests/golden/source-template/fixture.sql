CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, option1 TEXT, option2 TEXT, note TEXT);
-- both columns: "{Réseaux} / Sécurité"
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-05', 'Réseaux', 'Sécurité', '14.5');
-- option1 NULL: its braces stay, the column adds nothing
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-05', NULL, 'Sécurité', '12');
-- every column NULL: no value (libelleOption omitted, scoring nil)
INSERT INTO r VALUES (3, 'Modèle', 'Clément', 1979, 'M', '2026-10-05', NULL, NULL, NULL);
