CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, mois TEXT,
                jour TEXT, sexe TEXT, delivre TEXT, commune TEXT, score TEXT);
INSERT INTO r VALUES (1, 'FICTIF', 'Anaïs', 1990, '5', '12', 'F', '2026-10-01', 'Lyon', '870');
-- no commune: quarantined
INSERT INTO r VALUES (2, 'FICTIF', 'Basile', 1991, '6', '13', 'M', '2026-10-01', '  ', '910');
-- no score (the dictionary would send nil): quarantined
INSERT INTO r VALUES (3, 'FICTIF', 'Céleste', 1992, '7', '14', 'F', '2026-10-01', 'Nantes', NULL);
