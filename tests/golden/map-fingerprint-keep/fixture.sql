CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, mention TEXT, option TEXT);
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-05', 'Très-Bien', 'ang');
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'M', '2026-10-05', 'tres bien', 'Esp.');
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-10-05', 'TRÈS BIEN.', 'Allemand   LV2');
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'M', '2026-10-05', ' assez-bien ', '-');
-- the fingerprint does not guess: "Excellent" is not listed, no default
INSERT INTO r VALUES (5, 'Essai', 'Élise', 1971, 'F', '2026-10-05', 'Excellent', 'ANG');
-- no value stays no value (mentionValidee nil, libelleOption left out)
INSERT INTO r VALUES (6, 'Essai', 'Fanny', 1972, 'F', '2026-10-05', NULL, NULL);
