CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre DATE, debut TEXT, fin TEXT, fin_validite TIMESTAMP, inscrit TEXT);
-- DATE text; TIMESTAMP text with a space; 1-digit day and month in the pattern; first format of
-- the list
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-05', '2026-09-01', '2/9/2026',
                      '2031-10-05 00:00:00', '2025-09-15');
-- TIMESTAMP with 'T', a fraction and a zone; 2-digit pattern values; later formats of the list
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-05T14:30:00.250+02:00',
                      '2026-09-01', '02/09/2026', '2031-10-05T08:00:00Z', '15/09/2025 09:30');
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-10-05 08:15', '2026-09-01',
                      '01/09/2026', NULL, '15.9.2025');
-- unreadable: sql takes no French date; iso wants two digits; the pattern wants '/';
-- no format of the list reads "15 septembre 2025"
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '05/10/2026', '2026-9-1', '2026-09-02',
                      '2031-10-05 garbage', '15 septembre 2025');
