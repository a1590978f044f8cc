CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, option TEXT, note TEXT);
-- tab and line feed inside a value are allowed (carriage return too)
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-01',
                      'Réseaux' || char(9) || 'et sécurité', 'ligne 1' || char(10) || 'ligne 2');
-- U+0001 at the 7th character (after "Option"), U+FFFF at the 5th (é counts for one)
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-01',
                      'Option' || char(1), 'Clé' || ' ' || char(65535) || ' fin');
-- an escape character (U+001B) in a birth name: the value is not shown
INSERT INTO r VALUES (3, 'Mod' || char(27) || 'èle', 'Camille', 1979, 'F', '2026-10-01', NULL, NULL);
-- U+FFFE
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2026-10-01', char(65534), NULL);
