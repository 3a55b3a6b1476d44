#!/usr/bin/perl
# Answers with a local Location: header, which httpd follows as an internal
# redirect, to the path given as the query string.
my $to = $ENV{QUERY_STRING} || '/';
print "Location: $to\n\n";
