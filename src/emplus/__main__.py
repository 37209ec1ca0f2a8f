from emplus.cli import main

main()
