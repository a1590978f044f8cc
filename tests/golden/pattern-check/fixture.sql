CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, insee TEXT, cp_centre TEXT, note TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-05', '75 056', '75001', 'Très bien');
-- padded to 01234 before the pattern; a Corsican code; no verbatim (never compared)
INSERT INTO r VALUES (2, 'Élan', 'Basile', 1988, 'M', '2026-10-05', '1234', '20000', NULL);
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-10-05', '2A004', '75001', 'ok');
-- the mapping's own reason for codeInsee (personal: the value is not shown)
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2026-10-05', '2C004', '75001', 'ok');
-- a letter O for a zero: the value is shown (the exam centre is not personal data)
INSERT INTO r VALUES (5, 'Essai', 'Élise', 1971, 'F', '2026-10-05', '75056', '75 0O1', 'ok');
-- a name in lower case: refused without showing it
INSERT INTO r VALUES (6, 'dupont', 'Fanny', 1972, 'F', '2026-10-05', '75056', '75001', 'ok');
-- 1001 characters: not compared
INSERT INTO r VALUES (7, 'Essai', 'Gaël', 1973, 'M', '2026-10-05', '75056', '75001',
                      replace(hex(zeroblob(1001)), '00', 'a'));
-- a verbatim with markup
INSERT INTO r VALUES (8, 'Essai', 'Hugo', 1974, 'M', '2026-10-05', '75056', '75001', '<b>bien</b>');
