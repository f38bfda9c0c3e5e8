UPDATE dues_charges SET on_time = 1 WHERE paid_on IS NOT NULL AND paid_on < month + INTERVAL '1 month';
