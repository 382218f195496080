namespace XcsCt.Domain.Simulation;

/// <summary>Symbols and standard atomic weights (g/mol, IUPAC 2021, rounded) of the elements the simulator uses.</summary>
public static class Elements
{
    private static readonly (string Symbol, double Mass)[] Table =
    {
        ("", 0), ("H", 1.008), ("He", 4.0026), ("Li", 6.94), ("Be", 9.0122), ("B", 10.81), ("C", 12.011),
        ("N", 14.007), ("O", 15.999), ("F", 18.998), ("Ne", 20.180), ("Na", 22.990), ("Mg", 24.305),
        ("Al", 26.982), ("Si", 28.085), ("P", 30.974), ("S", 32.06), ("Cl", 35.45), ("Ar", 39.948),
        ("K", 39.098), ("Ca", 40.078), ("Sc", 44.956), ("Ti", 47.867), ("V", 50.942), ("Cr", 51.996),
        ("Mn", 54.938), ("Fe", 55.845), ("Co", 58.933), ("Ni", 58.693), ("Cu", 63.546), ("Zn", 65.38),
        ("Ga", 69.723), ("Ge", 72.630), ("As", 74.922), ("Se", 78.971), ("Br", 79.904), ("Kr", 83.798),
        ("Rb", 85.468), ("Sr", 87.62), ("Y", 88.906), ("Zr", 91.224), ("Nb", 92.906), ("Mo", 95.95),
    };

    /// <summary>Avogadro constant, 1/mol.</summary>
    public const double Avogadro = 6.02214076e23;

    /// <summary>Highest atomic number in the table.</summary>
    public static int MaxZ => Table.Length - 1;

    /// <summary>Atomic number of a symbol (case-sensitive, e.g. "Li"); <see cref="InputException"/> if unknown.</summary>
    public static int Z(string symbol)
    {
        for (int z = 1; z < Table.Length; z++)
            if (Table[z].Symbol == symbol) return z;
        throw new InputException($"element '{symbol}' is not known to the simulator (H to Mo are)");
    }

    /// <summary>Chemical symbol of element <paramref name="z"/>.</summary>
    public static string Symbol(int z) => Check(z).Symbol;

    /// <summary>Standard atomic weight of element <paramref name="z"/>, g/mol.</summary>
    public static double MolarMass(int z) => Check(z).Mass;

    private static (string Symbol, double Mass) Check(int z) => z >= 1 && z < Table.Length
        ? Table[z]
        : throw new InputException($"atomic number {z} is not known to the simulator (1 to {Table.Length - 1} are)");
}
