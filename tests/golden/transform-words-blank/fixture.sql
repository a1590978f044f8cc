CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenoms TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT);
-- one, two, three and four first names; runs of blanks count as one separator
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-05');
INSERT INTO r VALUES (2, 'Exemple', 'Jean-Luc   Noël', 1988, 'M', '2026-10-05');
INSERT INTO r VALUES (3, 'Modèle', ' Marie Louise' || char(9) || 'Anne ', 1979, 'F', '2026-10-05');
INSERT INTO r VALUES (4, 'Essai', 'Pierre Paul Jacques Jean', 1970, 'M', '2026-10-05');
