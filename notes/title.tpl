$title$
$summary$
