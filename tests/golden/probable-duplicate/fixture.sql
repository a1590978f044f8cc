CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, mois TEXT,
                jour TEXT, sexe TEXT, delivre TEXT);
INSERT INTO r VALUES (1, 'DUPONT', 'Élodie', 1990, '5', '12', 'F', '2026-10-01');
-- the same holder, other case and accents, month written "05": a duplicate of 1
INSERT INTO r VALUES (2, 'Dupont', 'elodie', 1990, '05', '12', 'F', '2026-10-01');
-- the same holder delivered another day: another passage
INSERT INTO r VALUES (3, 'Dupont', 'Elodie', 1990, '5', '12', 'F', '2026-10-02');
-- another birth date; another first name (hyphens matter)
INSERT INTO r VALUES (4, 'DUPONT', 'ÉLODIE', 1990, '5', '13', 'F', '2026-10-01');
INSERT INTO r VALUES (5, 'DUPONT', 'Élodie-Marie', 1990, '5', '12', 'F', '2026-10-01');
-- and again the first one (ÉLODIE in capitals): a duplicate of 1
INSERT INTO r VALUES (6, 'dupont', 'ÉLODIE', 1990, '5', '12', 'F', '2026-10-01');
