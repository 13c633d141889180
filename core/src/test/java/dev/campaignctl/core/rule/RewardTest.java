package dev.campaignctl.core.rule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class RewardTest {

    @Test
    void fixedPaysItsValueWhateverTheAmount() {
        assertThat(Reward.parse("fixed:100").pointsFor(new BigDecimal("150.00"))).isEqualByComparingTo("100");
    }

    @Test
    void percentageRoundsHalfUpToCents() {
        assertThat(Reward.parse("percentage:5").pointsFor(new BigDecimal("150.10"))).isEqualByComparingTo("7.51");
        assertThat(Reward.parse("percentage:3").pointsFor(new BigDecimal("0.50"))).isEqualByComparingTo("0.02");
    }

    @Test
    void perUnitCountsWholeCurrencyUnits() {
        assertThat(Reward.parse("per_unit:2").pointsFor(new BigDecimal("150.99"))).isEqualByComparingTo("300");
    }

    @Test
    void badRewardsAreRejectedNamingTheField() {
        assertThatThrownBy(() -> Reward.parse("fixed:-1")).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> Reward.parse("bonus:1")).hasMessageContaining("fixed, percentage, per_unit");
        assertThatThrownBy(() -> Reward.parse("fixed")).hasMessageContaining("TYPE:VALUE");
    }
}
