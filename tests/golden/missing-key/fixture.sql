CREATE TABLE r (etudiant TEXT, session TEXT, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT);
INSERT INTO r VALUES ('E001', '2026A', 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01');
INSERT INTO r VALUES (NULL, '2026A', 'Exemple', 'Basile', 1988, 'M', '2026-10-01');
INSERT INTO r VALUES ('E003', '  ', 'Modèle', 'Camille', 1979, 'F', '2026-10-01');
-- no key at all, and no prenom1
INSERT INTO r VALUES ('', NULL, 'Essai', NULL, 1970, 'M', '2026-10-01');
-- blanks around a key value are trimmed
INSERT INTO r VALUES (' E005 ', '2026A', 'Essai', 'Élise', 1971, 'F', '2026-10-01');
