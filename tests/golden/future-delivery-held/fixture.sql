CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-11-14');
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-11-15');
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-11-16');
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2027-01-04 09:00:00');
-- in the future and invalid (no sexe): quarantined, not held
INSERT INTO r VALUES (5, 'Essai', 'Élise', 1971, NULL, '2026-12-01');
