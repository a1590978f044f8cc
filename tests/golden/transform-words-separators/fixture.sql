CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenoms TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, options TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Jean,Marie  Luc', 1992, 'M', '2026-10-05', 'A;B');
-- blanks and commas mixed, empty parts, a no-break space
INSERT INTO r VALUES (2, 'Exemple', ' Anne , ,Sophie' || char(160) || 'Claire,Louise ', 1988, 'F', '2026-10-05', 'Tronc commun / Anglais ; Espagnol');
-- " - " separates, a hyphen inside a word does not
INSERT INTO r VALUES (3, 'Modèle', 'Jean-Luc', 1979, 'M', '2026-10-05', 'Tronc commun - Génie civil - Bâtiment');
-- one part only: no second word, libelleOption is left out
INSERT INTO r VALUES (4, 'Essai', 'Camille', 1970, 'F', '2026-10-05', 'Tronc commun');
