"""digilead: municipal digitalisation data from landing files to trusted marts."""
