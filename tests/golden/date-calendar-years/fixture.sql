CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, debut TEXT, fin TEXT);
-- 29 February 2024 exists; the limits of the period are valid
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01', '2024-02-29', '2099-12-31');
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-01', '1900-01-01', '1900-01-01');
-- days that do not exist
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-10-01', '2024-02-30', '1900-02-29');
-- years outside 1900-2099
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2026-10-01', '1899-12-31', '2100-01-01');
