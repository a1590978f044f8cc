CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenoms TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Marie Claire', 1992, 'F', '2026-10-05');
INSERT INTO r VALUES (2, 'Exemple', 'Jean-Luc, Noël', 1988, 'M', '2026-10-05');
-- an empty part (",,") is dropped: three names
INSERT INTO r VALUES (3, 'Modèle', 'Marie Claire ,, Louise,Anne', 1979, 'F', '2026-10-05');
INSERT INTO r VALUES (4, 'Essai', 'Pierre, Paul ,Jacques, Jean Marc', 1970, 'M', '2026-10-05');
