CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, sexe TEXT,
                delivre TEXT, anglais TEXT, statut TEXT, voie TEXT, mention TEXT);
-- listed values everywhere
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 'F', '2026-10-05', 'B2', 'vae', 'congé', 'bien');
-- defaults: anglais unlisted -> false / absent; statut unlisted -> nil; voie unlisted -> absent
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 1988, 'H', '2026-10-05', 'aucun', 'salarié', 'autre voie', 'bien');
-- targets: statut "inconnu" -> nil; voie "autre" -> absent; mention "aucune" -> absent -> nil
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 1979, 'F', '2026-10-05', 'C1', 'inconnu', 'autre', 'aucune');
-- NULL sources where no default matters: voie omitted, mention nil
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 1970, 'H', '2026-10-05', 'A2', 'libre', NULL, NULL);
