CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, prenom2 TEXT, annee INTEGER,
                mois TEXT, jour TEXT, sexe TEXT, delivre TEXT);
INSERT INTO r VALUES (1, 'QUENARDEAU', 'Anne', 'Marie', 1990, '5', '12', 'F', '2026-10-01');
-- the same first name, another second first name: another person
INSERT INTO r VALUES (2, 'Quenardeau', 'ANNE', 'Clotilde', 1990, '5', '12', 'F', '2026-10-01');
-- no second first name: cannot be told apart from 1, its probable duplicate
INSERT INTO r VALUES (3, 'Quenardeau', 'Anne', NULL, 1990, '5', '12', 'F', '2026-10-01');
-- Clotilde again, in capitals and with an accent: a duplicate of 2
INSERT INTO r VALUES (4, 'quenardeau', 'anne', 'CLÔTILDE', 1990, '5', '12', 'F', '2026-10-01');
