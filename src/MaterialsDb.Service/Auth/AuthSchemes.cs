namespace MaterialsDb.Service.Auth;

/// <summary>Names of the authentication schemes and authorization policies; every endpoint names one policy.</summary>
public static class AuthSchemes
{
    /// <summary>The <c>X-Api-Key</c> header.</summary>
    public const string ApiKey = "ApiKey";

    /// <summary>The browser session cookie a key is exchanged for.</summary>
    public const string Session = "Session";

    /// <summary>API endpoints: a key header if present, else the session; challenges answer 401/403 problem details.</summary>
    public const string Api = "Api";

    /// <summary>Browser pages (the dashboard): like <see cref="Api"/>, but a challenge redirects to the sign-in page.</summary>
    public const string Browser = "Browser";
}

/// <summary>Authorization policies by role; roles nest (admin ⊃ operator ⊃ member).</summary>
public static class Policies
{
    /// <summary>Any valid key or session.</summary>
    public const string Member = "member";

    /// <summary>Operators and admins.</summary>
    public const string Operator = "operator";

    /// <summary>Admins only.</summary>
    public const string Admin = "admin";

    /// <summary>Members, through the browser scheme (the web application's pages: a challenge redirects to sign-in).</summary>
    public const string WebMember = "web-member";

    /// <summary>Operators and admins, through the browser scheme (the operators' page).</summary>
    public const string WebOperator = "web-operator";

    /// <summary>Admins, through the browser scheme (the Hangfire dashboard).</summary>
    public const string Dashboard = "dashboard";
}
