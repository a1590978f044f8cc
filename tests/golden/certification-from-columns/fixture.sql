-- Rows of four certifications (RNCP35830, RNCP36141, RS5875, RS6521) in no particular order,
-- and six rows whose certification the CDC would refuse.
CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, type_certif TEXT, code_certif TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01', 'rncp', 'rncp35830');
INSERT INTO r VALUES (2, 'Exemple', 'Bruno', 1988, 'M', '2026-10-02', 'RS', 'rs5875');
INSERT INTO r VALUES (3, 'Modèle', 'Chloé', 1995, 'F', '2026-10-03', 'Rncp', 'RNCP36141');
INSERT INTO r VALUES (4, 'Témoin', 'David', 1990, 'M', '2026-10-04', ' rs ', 'RS5875 ');
-- A letter in an RNCP code.
INSERT INTO r VALUES (5, 'Essai', 'Emma', 1993, 'F', '2026-10-05', 'rncp', 'RNCP3456X');
-- A type the CDC does not know.
INSERT INTO r VALUES (6, 'Épreuve', 'Farid', 1987, 'M', '2026-10-06', 'xyz', 'RNCP34567');
-- An RS type with an RNCP code.
INSERT INTO r VALUES (7, 'Brouillon', 'Gaëlle', 1994, 'F', '2026-10-07', 'rs', 'RNCP34567');
-- No code; then neither type nor code.
INSERT INTO r VALUES (8, 'Maquette', 'Hugo', 1991, 'M', '2026-10-08', 'rncp', NULL);
INSERT INTO r VALUES (9, 'Ébauche', 'Inès', 1996, 'F', '2026-10-09', NULL, '  ');
-- The register's prefix lost: 35830 for RNCP35830.
INSERT INTO r VALUES (10, 'Esquisse', 'Jules', 1989, 'M', '2026-10-10', 'rncp', '35830');
INSERT INTO r VALUES (11, 'Patron', 'Karine', 1992, 'F', '2026-10-11', 'rs', 'rs6521');
INSERT INTO r VALUES (12, 'Gabarit', 'Louis', 1990, 'M', '2026-10-12', 'rncp', 'RNCP35830');
