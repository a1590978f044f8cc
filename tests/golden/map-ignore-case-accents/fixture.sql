CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, mention TEXT, modalite TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-05', 'TRES BIEN', 'Distanciel');
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-05', 'Très   bien', 'Présentiel');
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-10-05', 'Très Bien avec Félicitations', 'hybride');
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2026-10-05', 'Assez Bien', 'distanciel');
-- ignore_case alone: "presentiel" without its accent does not match "présentiel"
INSERT INTO r VALUES (5, 'Essai', 'Élise', 1971, 'F', '2026-10-05', 'passable', 'presentiel');
-- "Excellent" is not in the map: quarantined, the value is named
INSERT INTO r VALUES (6, 'Essai', 'Fanny', 1972, 'F', '2026-10-05', 'Excellent', 'hybride');
-- an empty value is no value: mentionValidee becomes nil, modalitePassageExamen is omitted
INSERT INTO r VALUES (7, 'Essai', 'Gaël', 1973, 'M', '2026-10-05', '', NULL);
