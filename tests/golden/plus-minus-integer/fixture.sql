CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee TEXT, mois TEXT, sexe TEXT,
                delivre TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', '1990', '+-5', 'F', '2026-10-01');
