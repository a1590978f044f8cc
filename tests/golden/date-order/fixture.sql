CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, fin TEXT, debut_examen TEXT, fin_examen TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01', '2031-10-01', '2026-09-01', '2026-09-03');
-- equal dates
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-01', '2026-10-01', '2026-09-01', '2026-09-01');
-- end before start, one day apart
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-10-01', '2026-09-30', '2026-09-02', '2026-09-01');
-- the end of validity nil, an exam without an end date: nothing to compare
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2026-10-01', NULL, '2026-09-02', NULL);
