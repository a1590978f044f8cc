CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT, delivre TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'X', '2026-10-01');
