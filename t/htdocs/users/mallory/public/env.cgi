#!/usr/bin/perl
# Prints the CGI environment, one VAR=value a line.
print "Content-Type: text/plain\n\n";
print "$_=$ENV{$_}\n" for sort keys %ENV;
