namespace XcsCt.Domain.Simulation;

/// <summary>Materials of the coin-cell phantoms, by composition and density (ISSUE 1).</summary>
public static class CellMaterials
{
    /// <summary>AISI 316L stainless steel (mass fractions), 8.0 g/cm^3.</summary>
    public static Material StainlessSteel { get; } = Material.MassFractions("stainless steel 316L", 8.0,
        ("Fe", 0.655), ("Cr", 0.17), ("Ni", 0.12), ("Mo", 0.025), ("Mn", 0.02), ("Si", 0.01));

    /// <summary>Lithium metal, 0.534 g/cm^3 (free-atom profile whatever the lithiation model).</summary>
    public static Material LithiumMetal { get; } = Material.Formula("lithium metal", "Li", 0.534);

    /// <summary>Argon at 1 atm and 20 C.</summary>
    public static Material Argon { get; } = Material.Formula("argon", "Ar", 1.66e-3);

    /// <summary>Dry air at 1 atm and 20 C (N2, O2, Ar by mass).</summary>
    public static Material Air { get; } = Material.MassFractions("air", 1.205e-3, ("N", 0.755), ("O", 0.232), ("Ar", 0.013));

    /// <summary>Polypropylene (C3H6)n, 0.90 g/cm^3.</summary>
    public static Material Polypropylene { get; } = Material.Formula("polypropylene", "C3H6", 0.90);

    /// <summary>PTFE (C2F4)n, 2.2 g/cm^3: the flat-field reference disk.</summary>
    public static Material Ptfe { get; } = Material.Formula("PTFE", "C2F4", 2.2);

    /// <summary>EC:DMC 1:1 by mass without salt (C3H4O3 + C3H6O3 = C6H10O6 per pair), 1.22 g/cm^3.</summary>
    public static Material Solvent { get; } = Material.Formula("EC/DMC", "C6H10O6", 1.22);

    /// <summary>LiPF6 at 1 mol/L: 6.022e20 formula units per cm^3 (Li bound); the salt displaces ~5 % of the solvent per mol/L.</summary>
    public static Material LiPF6PerMolar { get; } = Material.Formula("LiPF6 1 M", "LiPF6", 151.905 / 1000);

    /// <summary>Liquid electrolyte LiPF6 in EC/DMC at <paramref name="molar"/> mol/L.</summary>
    public static Material Electrolyte(double molar) =>
        Material.Mix($"LiPF6 {molar:F2} M in EC/DMC", (Solvent, 1 - 0.05 * molar), (LiPF6PerMolar, molar));

    /// <summary>Poly(ethylene oxide) with LiTFSI at EO:Li = 20:1 (C40H80O20 + LiC2F6NO4S2), 1.30 g/cm^3.</summary>
    public static Material PeoLiTfsi { get; } = Material.Formula("PEO/LiTFSI", "C42H80O24LiF6NS2", 1.30);

    /// <summary>Host lattice Ni0.8Mn0.1Co0.1O2 of NMC811 at the molar volume of LiNi0.8Mn0.1Co0.1O2 (4.75 g/cm^3).</summary>
    public static Material Nmc811Host { get; } = Host("NMC811 host", "LiNi0.8Mn0.1Co0.1O2", 4.75);

    /// <summary>Host lattice Ni0.6Mn0.2Co0.2O2 of NMC622 at the molar volume of LiNi0.6Mn0.2Co0.2O2 (4.70 g/cm^3).</summary>
    public static Material Nmc622Host { get; } = Host("NMC622 host", "LiNi0.6Mn0.2Co0.2O2", 4.70);

    /// <summary>Formula units per cm^3 of the NMC lattices (the lithium sites), from their lithiated density.</summary>
    public static double Nmc811Sites { get; } = Material.Formula("NMC811", "LiNi0.8Mn0.1Co0.1O2", 4.75).LithiumPerCm3;

    /// <inheritdoc cref="Nmc811Sites"/>
    public static double Nmc622Sites { get; } = Material.Formula("NMC622", "LiNi0.6Mn0.2Co0.2O2", 4.70).LithiumPerCm3;

    /// <summary>Li_x Ni0.8Mn0.1Co0.1O2 (dense, no pores).</summary>
    public static Material Nmc811(double x) => Nmc811Host.With($"Li{x:F2}NMC811", new Species(3, true), x * Nmc811Sites);

    /// <summary>Li_x Ni0.6Mn0.2Co0.2O2 (dense, no pores).</summary>
    public static Material Nmc622(double x) => Nmc622Host.With($"Li{x:F2}NMC622", new Species(3, true), x * Nmc622Sites);

    private static Material Host(string name, string lithiated, double density)
    {
        var full = Material.Formula(name, lithiated, density);
        // The same lattice without its lithium.
        var host = Material.Mix(name);
        foreach (var (s, n) in full.AtomsPerCm3)
            if (s.Z != 3) host = host.With(name, s, n);
        return host;
    }
}
