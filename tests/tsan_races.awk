# Reads ThreadSanitizer reports (the files of TSAN_OPTIONS' log_path) and
# prints each one that is not explained by tests/tsan_shared.txt
# (-v shared=FILE): a data race is explained when one side's access is
# made by a "driver" function of the list and the other's by a "device"
# one, once the interceptors that copy for them (memcpy...) are skipped.
# A report of another kind, or a race with a side TSan could not restore,
# is printed too. Prints nothing when every report is explained.
BEGIN {
	while ((getline line < shared) > 0) {
		sub(/#.*/, "", line)
		if (split(line, f) == 2)
			side[f[2]] = f[1]
	}
	if (!length(side)) {
		print "tsan_races.awk: no names in " shared
		exit 2
	}
}
function flush() {
	if (!inreport)
		return
	inreport = 0
	if (kind != "data race")
		print "report " nrep ": " kind
	else if (n != 2)
		print "report " nrep ": a data race with " n " side(s) restored"
	else if (!(fn[1] in side) || !(fn[2] in side) ||
		 side[fn[1]] == side[fn[2]])
		print "report " nrep ": a race between " fn[1] " (" at[1] ") and " fn[2] " (" at[2] ")"
}
/^WARNING: ThreadSanitizer: / {
	flush()
	inreport = 1; nrep++; n = 0; want = 0
	kind = $0
	sub(/^WARNING: ThreadSanitizer: /, "", kind)
	sub(/ \(pid=.*/, "", kind)
	next
}
/ThreadSanitizer/ && !/^(WARNING|SUMMARY): ThreadSanitizer: / &&
    !/^ThreadSanitizer: reported [0-9]+ warnings$/ {
	print "not a report: " $0
	next
}
!inreport { next }
/^SUMMARY: ThreadSanitizer/ { flush(); next }
tolower($0) ~ /^  (previous )?(atomic )?(read|write) of size / { want = 1; next }
want && /failed to restore the stack/ { want = 0; next }
want && /^    #[0-9]+ / {
	if ($2 ~ /^(__interceptor_|__tsan_|internal_)?(memcpy|memmove|memset|memcmp)$/)
		next
	want = 0
	n++
	fn[n] = $2
	at[n] = $3
	sub(/.*\//, "", at[n])
}
END { flush() }
