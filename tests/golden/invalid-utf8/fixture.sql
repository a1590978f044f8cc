CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, option TEXT);
-- valid UTF-8
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01', 'Réseaux');
-- a lone lead byte C3 (the first half of "é"): invalid
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-01', 'R' || CAST(X'C3' AS TEXT));
-- "é" in Latin-1 (E9) in a birth name
INSERT INTO r VALUES (3, 'Mod' || CAST(X'E8' AS TEXT) || 'le', 'Cl' || CAST(X'E9' AS TEXT) || 'ment',
                      1979, 'M', '2026-10-01', NULL);
