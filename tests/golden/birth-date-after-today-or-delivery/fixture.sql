CREATE TABLE r (id INTEGER PRIMARY KEY, nom TEXT, prenom TEXT, annee INTEGER, mois INTEGER,
                jour INTEGER, sexe TEXT, delivre TEXT);
-- born long before: valid
INSERT INTO r VALUES (1, 'Fictif', 'Anaïs', 1992, 5, 12, 'F', '2026-10-01');
-- born tomorrow, delivered before: after today (and after the delivery: one reason)
INSERT INTO r VALUES (2, 'Exemple', 'Basile', 2026, 11, 16, 'M', '2026-10-01');
-- born in 2031, day and month unknown: after today
INSERT INTO r VALUES (3, 'Modèle', 'Camille', 2031, NULL, NULL, 'F', '2026-10-01');
-- born after the delivery, before today
INSERT INTO r VALUES (4, 'Essai', 'Dominique', 2026, 10, 2, 'M', '2026-10-01');
-- born in a month after the delivery's, day unknown
INSERT INTO r VALUES (5, 'Essai', 'Élise', 2026, 11, NULL, 'F', '2026-10-01');
-- born this year, month unknown: maybe before the delivery, so not refused
INSERT INTO r VALUES (6, 'Témoin', 'Fanny', 2026, NULL, NULL, 'F', '2026-10-01');
-- born on the day of delivery: not after it
INSERT INTO r VALUES (7, 'Témoin', 'Gaspard', 2026, 10, 1, 'M', '2026-10-01');
-- delivered in the future (held), born before it but after today: after today
INSERT INTO r VALUES (8, 'Futur', 'Hugo', 2026, 11, 20, 'M', '2026-12-01');
-- delivered in the future, born long before: held, as ever
INSERT INTO r VALUES (9, 'Futur', 'Inès', 1990, 1, 1, 'F', '2026-12-01');
