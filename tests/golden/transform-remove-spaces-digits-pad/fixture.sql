CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, insee TEXT, cp_centre TEXT);
-- ordinary spaces; a postal code written with dots
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-05', '75 056', '75.001');
-- a Corsican INSEE code keeps its letter
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-05', ' 2A 004 ', 'F-20000');
-- numeric columns that lost their leading zero
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-10-05', 1234, 6000);
-- narrow no-break space (U+202F), no-break space (U+00A0), figure space (U+2007), a tab
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2026-10-05',
                      '75' || char(8239) || '056', '75' || char(160) || '0' || char(8199) || '01' || char(9));
-- too long already: not padded, refused by the dictionary's length (the value is personal)
INSERT INTO r VALUES (5, 'Essai', 'Élise', 1971, 'F', '2026-10-05', '123 456', '13');
-- no digit at all: no value (the field is optional); letters are not padded
INSERT INTO r VALUES (6, 'Essai', 'Fanny', 1972, 'F', '2026-10-05', '2B33', 'n/a');
