CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, modalite TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01', 'DISTANCIEL');
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-01', 'PRÉSENTIEL');
