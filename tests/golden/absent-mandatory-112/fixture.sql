CREATE TABLE r (id INTEGER PRIMARY KEY, obtention TEXT, certifiee TEXT, delivre TEXT,
                langue TEXT, numerique TEXT, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT);
INSERT INTO r VALUES (1, 'PAR_ADMISSION', 'true', '2026-10-01', 'false', 'false', 'Fictif', 'Anaïs',
                      1992, 'F');
-- every mandatory value missing (NULL or empty)
INSERT INTO r VALUES (2, NULL, '', NULL, NULL, ' ', NULL, '', NULL, NULL);
